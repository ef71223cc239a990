// Bad input (4xx in the service shape, nothing stored) and PUT idempotency: the integration suite as it is, with the service on a 3-master Redis Cluster.
import '../support/on-cluster';
import '../integration/bad-input.test';
