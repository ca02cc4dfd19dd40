package dev.fulcrum.upstream;

/**
 * How long a request or session may wait for each thing, in milliseconds; 0 for no limit.
 *
 * @param connect to establish a server connection
 * @param read server inactivity while a response is awaited or read (HAProxy's timeout server,
 *     Kong's read_timeout)
 * @param write for the server to take request bytes (Kong's write_timeout)
 * @param tunnel inactivity of an established TCP or upgraded stream, replacing client and server
 * @param queue how long a request may wait for a server slot
 */
public record Timeouts(long connect, long read, long write, long tunnel, long queue) {}
