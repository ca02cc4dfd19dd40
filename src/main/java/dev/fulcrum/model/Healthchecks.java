package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** An upstream's health-check settings (Kong's schema; every 0 means "off"). Seconds as doubles. */
public record Healthchecks(Active active, Passive passive, double threshold) {

  public record Active(
      String type,
      double timeout,
      int concurrency,
      String httpPath,
      String httpsSni,
      boolean httpsVerifyCertificate,
      Map<String, List<String>> headers,
      double healthyInterval,
      List<Integer> healthyStatuses,
      int successes,
      double unhealthyInterval,
      List<Integer> unhealthyStatuses,
      int tcpFailures,
      int timeouts,
      int httpFailures) {}

  public record Passive(
      String type,
      List<Integer> healthyStatuses,
      int successes,
      List<Integer> unhealthyStatuses,
      int tcpFailures,
      int timeouts,
      int httpFailures) {}

  /** Kong runs a health checker only when some interval or failure threshold is set. */
  public boolean enabled() {
    return active.healthyInterval() > 0
        || active.unhealthyInterval() > 0
        || passive.tcpFailures() > 0
        || passive.timeouts() > 0
        || passive.httpFailures() > 0;
  }

  public boolean activeEnabled() {
    return active.healthyInterval() > 0 || active.unhealthyInterval() > 0;
  }

  public static Healthchecks from(JsonNode doc) {
    JsonNode a = Docs.child(doc, "active");
    JsonNode ah = Docs.child(a, "healthy");
    JsonNode au = Docs.child(a, "unhealthy");
    JsonNode p = Docs.child(doc, "passive");
    JsonNode ph = Docs.child(p, "healthy");
    JsonNode pu = Docs.child(p, "unhealthy");
    return new Healthchecks(
        new Active(
            orDefault(Docs.text(a, "type"), "http"),
            Docs.number(a, "timeout", 1),
            Docs.integer(a, "concurrency", 10),
            orDefault(Docs.text(a, "http_path"), "/"),
            Docs.text(a, "https_sni"),
            Docs.bool(a, "https_verify_certificate", true),
            Docs.headers(a, "headers"),
            Docs.number(ah, "interval", 0),
            Docs.ints(ah, "http_statuses"),
            Docs.integer(ah, "successes", 0),
            Docs.number(au, "interval", 0),
            Docs.ints(au, "http_statuses"),
            Docs.integer(au, "tcp_failures", 0),
            Docs.integer(au, "timeouts", 0),
            Docs.integer(au, "http_failures", 0)),
        new Passive(
            orDefault(Docs.text(p, "type"), "http"),
            Docs.ints(ph, "http_statuses"),
            Docs.integer(ph, "successes", 0),
            Docs.ints(pu, "http_statuses"),
            Docs.integer(pu, "tcp_failures", 0),
            Docs.integer(pu, "timeouts", 0),
            Docs.integer(pu, "http_failures", 0)),
        Docs.number(doc, "threshold", 0));
  }

  private static String orDefault(String v, String d) {
    return v == null ? d : v;
  }
}
