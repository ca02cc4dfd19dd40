package dev.fulcrum.runtimeapi;

import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.LocalService;
import dev.fulcrum.conf.Version;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The HTTP statistics page ({@code stats uri}, {@code stats enable}): any request whose URI starts
 * with the prefix. {@code ;csv} gives the same CSV as {@code show stat} (what
 * prometheus-haproxy-exporter scrapes), otherwise a plain HTML table; {@code ;up} and
 * {@code ;no-maint} filter as on the CLI, {@code ;norefresh} drops the refresh header.
 */
public final class StatsPage implements LocalService {
  private final String uri;
  private final int refresh;
  private final boolean legends;
  private final RuntimeModel model;

  /**
   * @param uri the prefix it answers ({@code stats uri})
   * @param refresh seconds of the refresh header ({@code stats refresh}), 0 for none
   * @param legends {@code stats show-legends}
   */
  public StatsPage(String uri, int refresh, boolean legends, RuntimeModel model) {
    this.uri = uri;
    this.refresh = refresh;
    this.legends = legends;
    this.model = model;
  }

  @Override
  public boolean wants(String requestUri) {
    return requestUri.startsWith(uri);
  }

  @Override
  public LocalResponse answer(ByteBufAllocator alloc, String requestUri) {
    return LocalResponse.full(render(alloc, requestUri));
  }

  private FullHttpResponse render(ByteBufAllocator alloc, String requestUri) {
    String options = requestUri.substring(uri.length());
    boolean up = options.contains(";up");
    boolean noMaint = options.contains(";no-maint");
    String csv = StatCsv.dump(model.proxies(), null, -1, -1, legends, up, noMaint, model.process().stopping());
    String body;
    String type;
    if (options.contains(";csv")) {
      body = csv;
      type = "text/plain";
    } else {
      body = html(csv);
      type = "text/html";
    }
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ByteBufUtil.writeUtf8(alloc, body));
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    if (refresh > 0 && !options.contains(";norefresh")) {
      r.headers().set("refresh", Integer.toString(refresh));
    }
    return r;
  }

  /** The CSV as a table: one per proxy, the columns people look at. */
  private static String html(String csv) {
    int[] cols = {1, 17, 18, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 2, 36, 23};
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html><head><title>Statistics Report</title>")
        .append("<style>table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:2px 6px}")
        .append("th{background:#ddd}.DOWN,.MAINT{background:#f99}.DRAIN,.NOLB{background:#9cf}</style></head><body>\n")
        .append("<h1>Statistics Report</h1><p>Fulcrum ").append(esc(Version.VERSION)).append("</p>\n");
    String[] header = StatCsv.HEADER.substring(2).split(",");
    String current = null;
    for (String line : csv.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] c = line.split(",", -1);
      if (!c[0].equals(current)) {
        if (current != null) {
          sb.append("</table>\n");
        }
        current = c[0];
        sb.append("<h2>").append(esc(current)).append("</h2><table><tr>");
        for (int i : cols) {
          sb.append("<th>").append(header[i]).append("</th>");
        }
        sb.append("</tr>\n");
      }
      String status = c[17].split(" ")[0];
      sb.append("<tr class=\"").append(esc(status)).append("\">");
      for (int i : cols) {
        sb.append("<td>").append(esc(c[i])).append("</td>");
      }
      sb.append("</tr>\n");
    }
    if (current != null) {
      sb.append("</table>\n");
    }
    return sb.append("</body></html>\n").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
