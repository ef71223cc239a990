// Keys, tenants and job tokens on every interface: the integration suite as it is, with the service on a 3-master Redis Cluster.
import '../support/on-cluster';
import '../integration/client-auth.test';
