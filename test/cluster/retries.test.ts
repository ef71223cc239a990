// Retries (backoff, attempts, a retried job completing once): the integration suite as it is, with the service on a 3-master Redis Cluster.
import '../support/on-cluster';
import '../integration/retries.test';
