package dev.fulcrum.router;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What matching rules may look at in a request or a TCP session (HAProxy's ACL fetches, plugin
 * conditions). TCP sessions have addresses only: HTTP fetches then match nothing.
 */
public interface RequestFacts {
  /** False for TCP sessions. */
  boolean http();

  String method();

  /** The path as received, without the query string. */
  String rawPath();

  /** The URI as received. */
  String uri();

  /** Every value of a header (comma-separated lists split, Host aside), never null. */
  List<String> header(String name);

  InetSocketAddress client();

  InetSocketAddress local();

  /** The facts of a TCP session: its two addresses. */
  static RequestFacts ofConnection(InetSocketAddress client, InetSocketAddress local) {
    return new RequestFacts() {
      @Override
      public boolean http() {
        return false;
      }

      @Override
      public String method() {
        return null;
      }

      @Override
      public String rawPath() {
        return null;
      }

      @Override
      public String uri() {
        return null;
      }

      @Override
      public List<String> header(String name) {
        return List.of();
      }

      @Override
      public InetSocketAddress client() {
        return client;
      }

      @Override
      public InetSocketAddress local() {
        return local;
      }
    };
  }
}
