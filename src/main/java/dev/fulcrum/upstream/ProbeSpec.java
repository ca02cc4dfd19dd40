package dev.fulcrum.upstream;

import dev.fulcrum.net.UpstreamTls;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;

/**
 * What an active health probe sends: a TCP connect, or an HTTP request (Kong: {@code GET
 * <http_path> HTTP/1.0} with the target's Host; HAProxy: {@code OPTIONS / HTTP/1.0} with no Host
 * by default), over TLS for https.
 *
 * @param type tcp, http or https
 * @param host Host header, or null for none
 * @param sni TLS server name, or null for none
 * @param tls the TLS of the probe (https, a TLS check), or null for cleartext
 * @param proxyProtocol PROXY protocol version to send first (0 for none)
 */
public record ProbeSpec(
    String type, String method, String uri, HttpVersion version, String host,
    Map<String, List<String>> headers, long timeoutMillis, String sni, UpstreamTls tls, int proxyProtocol) {}
