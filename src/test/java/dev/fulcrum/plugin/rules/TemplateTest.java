package dev.fulcrum.plugin.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.router.RequestFacts;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HAProxy's log-format values as header rules use them. */
class TemplateTest {
  private static final RequestFacts REQUEST = new RequestFacts() {
    @Override
    public boolean http() {
      return true;
    }

    @Override
    public String method() {
      return "POST";
    }

    @Override
    public String rawPath() {
      return "/a/b";
    }

    @Override
    public String uri() {
      return "/a/b?c=d";
    }

    @Override
    public List<String> header(String name) {
      return name.equalsIgnoreCase("x-id") ? List.of("1", "2") : List.of();
    }

    @Override
    public InetSocketAddress client() {
      return new InetSocketAddress("10.0.0.7", 5555);
    }

    @Override
    public InetSocketAddress local() {
      return new InetSocketAddress("127.0.0.1", 80);
    }
  };

  @Test
  void fetchesAliasesAndLiterals() {
    assertThat(Template.parse("plain text").render(REQUEST)).isEqualTo("plain text");
    assertThat(Template.parse("%[src]:%[src_port] -> %[dst]:%[dst_port]").render(REQUEST))
        .isEqualTo("10.0.0.7:5555 -> 127.0.0.1:80");
    assertThat(Template.parse("%ci:%cp %fi:%fp").render(REQUEST)).isEqualTo("10.0.0.7:5555 127.0.0.1:80");
    assertThat(Template.parse("%[method] %[path] %[url]").render(REQUEST)).isEqualTo("POST /a/b /a/b?c=d");
    assertThat(Template.parse("id=%[req.hdr(x-id)] none=%[hdr(x-none)]").render(REQUEST))
        .as("the last occurrence, as HAProxy's hdr() sample").isEqualTo("id=2 none=");
    assertThat(Template.parse("100%%").render(REQUEST)).isEqualTo("100%");
  }

  @Test
  void whatFulcrumDoesNotKnowIsRefusedWhenRead() {
    assertThatThrownBy(() -> Template.parse("%[rand]")).hasMessageContaining("sample fetch 'rand' is not supported");
    assertThatThrownBy(() -> Template.parse("%[src,ipmask(24)]")).hasMessageContaining("converters are not supported");
    assertThatThrownBy(() -> Template.parse("%Tq")).hasMessageContaining("'%Tq' is not supported");
    assertThatThrownBy(() -> Template.parse("%[src")).hasMessageContaining("missing ']'");
    assertThatThrownBy(() -> Template.parse("50%")).hasMessageContaining("lone '%'");
  }
}
