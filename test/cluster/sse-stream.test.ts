// Server-Sent Events (history then live, Last-Event-ID, 204, errors, shutdown): the
// integration suite as it is, with the service on a 3-master Redis Cluster.
import '../support/on-cluster';
import '../integration/sse-stream.test';
