// text/csv bodies and large inputs stored beside their job (which must share its hash tag): the integration suite as it is, with the service on a 3-master Redis Cluster.
import '../support/on-cluster';
import '../integration/csv-input.test';
