package dev.fulcrum.upstream.balance;

/** What a balancer may ask about the request (hash keys); round-robin ignores it. */
public interface PickContext {
  PickContext NONE = new PickContext() {};
}
