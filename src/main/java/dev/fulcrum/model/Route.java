package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A route as the router compiles it. */
public record Route(
    String id,
    String name,
    Set<Protocol> protocols,
    List<String> methods,
    List<String> hosts,
    List<String> paths,
    Map<String, List<String>> headers,
    int httpsRedirectStatusCode,
    int regexPriority,
    boolean stripPath,
    boolean preserveHost,
    List<String> snis,
    List<Net> sources,
    List<Net> destinations,
    double createdAt,
    String serviceId) {

  public static Route from(JsonNode doc) {
    return new Route(
        Docs.text(doc, "id"),
        Docs.text(doc, "name"),
        protocols(Docs.strings(doc, "protocols")),
        Docs.strings(doc, "methods"),
        Docs.strings(doc, "hosts"),
        Docs.strings(doc, "paths"),
        Docs.headers(doc, "headers"),
        Docs.integer(doc, "https_redirect_status_code", 426),
        Docs.integer(doc, "regex_priority", 0),
        Docs.bool(doc, "strip_path", true),
        Docs.bool(doc, "preserve_host", false),
        Docs.strings(doc, "snis"),
        Net.list(doc, "sources"),
        Net.list(doc, "destinations"),
        Docs.number(doc, "created_at", 0),
        Docs.foreignId(doc, "service"));
  }

  private static Set<Protocol> protocols(List<String> names) {
    EnumSet<Protocol> out = EnumSet.noneOf(Protocol.class);
    for (String n : names) {
      out.add(Protocol.of(n));
    }
    return java.util.Collections.unmodifiableSet(out);
  }
}
