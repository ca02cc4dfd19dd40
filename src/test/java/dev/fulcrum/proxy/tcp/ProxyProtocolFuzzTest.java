package dev.fulcrum.proxy.tcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fulcrum.upstream.ProxyProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * A PROXY protocol header (v1 text or v2 binary) of any bytes is decoded, and its addresses read
 * the way the TCP and HTTP listeners read them, or refused as a protocol error; nothing else
 * escapes, and every buffer is released.
 */
class ProxyProtocolFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void anyHeader(byte[] input) {
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder(), new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof HAProxyMessage) {
            HAProxyMessage m = (HAProxyMessage) msg;
            ProxyProtocol.source(m);
            ProxyProtocol.destination(m);
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }
    });
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(input));
      ch.checkException();
    } catch (DecoderException expected) {
      // HAProxyProtocolException and friends: the listener closes the connection
    }
    try {
      ch.finishAndReleaseAll();
    } catch (DecoderException expected) {
      // a header cut short, found when the connection ends: the same
    }
  }
}
