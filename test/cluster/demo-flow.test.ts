// The demo flow, the late subscriber, the reconnect with `after`, many subscribers and
// long-polling: the integration suite as it is, with the service on a 3-master Redis Cluster.
import '../support/on-cluster';
import '../integration/demo-flow.test';
