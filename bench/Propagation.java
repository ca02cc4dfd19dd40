import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * Propagation of a change through a cluster: POSTs a route on node A's Admin API, then asks node
 * B's proxy for it without pause until it serves (200), and records the time from A's 201 to B's
 * first 200. Prints "p50 p99 max" in milliseconds.
 *
 *   java bench/Propagation.java <admin A url> <proxy B url> <changes> <name prefix>
 */
public class Propagation {
  public static void main(String[] args) throws Exception {
    String admin = args[0];
    String proxy = args[1];
    int changes = Integer.parseInt(args[2]);
    String prefix = args[3];
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    double[] millis = new double[changes];
    for (int i = 0; i < changes; i++) {
      String name = prefix + i;
      HttpRequest post = HttpRequest.newBuilder(URI.create(admin + "/services/bench/routes"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"paths\":[\"/" + name + "/\"]}"))
          .build();
      HttpResponse<String> created = client.send(post, HttpResponse.BodyHandlers.ofString());
      long t0 = System.nanoTime();
      if (created.statusCode() != 201) {
        throw new IllegalStateException("POST answered " + created.statusCode() + ": " + created.body());
      }
      HttpRequest get = HttpRequest.newBuilder(URI.create(proxy + "/" + name + "/x")).build();
      while (client.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
        if (System.nanoTime() - t0 > 60_000_000_000L) {
          throw new IllegalStateException(name + " not served on B after 60 s");
        }
      }
      millis[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(millis);
    System.out.printf("%.1f %.1f %.1f%n", millis[changes / 2], millis[(int) Math.ceil(changes * 0.99) - 1],
        millis[changes - 1]);
  }
}
