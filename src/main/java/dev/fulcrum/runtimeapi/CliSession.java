package dev.fulcrum.runtimeapi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One runtime API connection (src/cli.c cli_io_handler): a line holds commands separated by
 * {@code ;}, each answered with its output and one empty line. Without {@code prompt} the
 * connection closes after the first line; with it, each answer ends with the {@code "> "} prompt.
 * Idle for longer than the timeout ({@code stats timeout}, {@code set timeout cli}), it closes.
 */
final class CliSession extends ChannelInboundHandlerAdapter implements Commands.Session {
  /** Longest line accepted (HAProxy's buffer is 16 kB). */
  private static final int MAX_LINE = 16 * 1024;

  private final Commands commands;
  private final StringBuilder line = new StringBuilder();
  private int level;
  private long timeoutMillis;
  private boolean interactive;
  private boolean closing;
  private long lastActivityNanos = System.nanoTime();
  private ScheduledFuture<?> timer;

  CliSession(Commands commands, int level, long timeoutMillis) {
    this.commands = commands;
    this.level = level;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armTimer(ctx);
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      lastActivityNanos = System.nanoTime();
      if (closing) {
        return;
      }
      String text = buf.toString(StandardCharsets.ISO_8859_1);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length() && !closing; i++) {
        char c = text.charAt(i);
        if (c == '\n') {
          process(out, line.toString());
          line.setLength(0);
        } else if (c != '\r') {
          line.append(c);
          if (line.length() > MAX_LINE) {
            out.append("Command line too long.\n\n");
            closing = true;
          }
        }
      }
      if (out.length() > 0 || closing) {
        ByteBuf reply = ByteBufUtil.encodeString(ctx.alloc(), java.nio.CharBuffer.wrap(out), StandardCharsets.ISO_8859_1);
        if (closing) {
          ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        } else {
          ctx.writeAndFlush(reply);
        }
      }
    } finally {
      buf.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!closing) {
      ctx.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      // The client sent everything it had (nc, socat): answer a last unterminated line, then close.
      if (!closing) {
        StringBuilder out = new StringBuilder();
        if (line.length() > 0) {
          process(out, line.toString());
          line.setLength(0);
        }
        closing = true;
        ByteBuf reply = ByteBufUtil.encodeString(ctx.alloc(), java.nio.CharBuffer.wrap(out), StandardCharsets.ISO_8859_1);
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** Runs every command of one line and frames the answers. */
  private void process(StringBuilder out, String text) {
    for (String cmd : splitCommands(text)) {
      String[] words = words(cmd);
      if (words.length == 0) {
        continue;
      }
      if (words[0].equals("prompt") && words.length == 1) {
        interactive = !interactive;
        out.append('\n');
        continue;
      }
      if (words[0].equals("quit") && words.length == 1) {
        closing = true;
        return;
      }
      String result = commands.run(this, words);
      out.append(result).append('\n');
    }
    if (interactive) {
      out.append("> ");
    } else {
      // Without the prompt a connection answers one line, then closes (toggling it off too).
      closing = true;
    }
  }

  /** Commands are separated by {@code ;}; a backslash escapes {@code ;} and itself. */
  static List<String> splitCommands(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == ';' || text.charAt(i + 1) == '\\')) {
        cur.append('\\').append(text.charAt(++i));
      } else if (c == ';') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  /** Words separated by spaces or tabs; a backslash escapes the next character. */
  static String[] words(String cmd) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    for (int i = 0; i < cmd.length(); i++) {
      char c = cmd.charAt(i);
      if (c == ' ' || c == '\t') {
        if (cur != null) {
          out.add(cur.toString());
          cur = null;
        }
        continue;
      }
      if (cur == null) {
        cur = new StringBuilder();
      }
      if (c == '\\' && i + 1 < cmd.length()) {
        cur.append(cmd.charAt(++i));
      } else {
        cur.append(c);
      }
    }
    if (cur != null) {
      out.add(cur.toString());
    }
    return out.toArray(new String[0]);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void armTimer(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> onTimer(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void onTimer(ChannelHandlerContext ctx) {
    long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
    if (idle >= timeoutMillis) {
      ctx.close();
      return;
    }
    timer = ctx.executor().schedule(() -> onTimer(ctx), timeoutMillis - idle, TimeUnit.MILLISECONDS);
  }

  @Override
  public int level() {
    return level;
  }

  @Override
  public void level(int level) {
    this.level = level;
  }

  @Override
  public void timeoutSeconds(long seconds) {
    this.timeoutMillis = seconds * 1000;
  }
}
