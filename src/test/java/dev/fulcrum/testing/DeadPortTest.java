package dev.fulcrum.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** What the tests using a {@link DeadPort} rely on. */
class DeadPortTest {
  @Test
  void connectionsAreRefusedAndNoOneElseCanListenThere() {
    try (DeadPort dead = DeadPort.open()) {
      assertThatThrownBy(() -> new Socket("127.0.0.1", dead.port()).close()).isInstanceOf(ConnectException.class);
      assertThatThrownBy(() -> {
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress("127.0.0.1", dead.port()));
        }
      }).isInstanceOf(BindException.class);
    }
  }
}
