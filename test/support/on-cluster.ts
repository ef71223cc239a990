import { runSuitesOnCluster } from './service-fixture';

// Imported before a suite: its useService then starts a 3-master Redis Cluster.
runSuitesOnCluster();
