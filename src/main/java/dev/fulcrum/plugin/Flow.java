package dev.fulcrum.plugin;

/** What a request step says about the rest of the access phase (Envoy's filter statuses). */
public enum Flow {
  /** Go on with the next step. */
  CONTINUE,
  /** The step answered the request ({@link StepContext#respond}); no further step runs. */
  STOP,
  /**
   * The step waits for something (a call to Redis, a token server): the exchange stays where it is
   * until the step calls {@link StepContext#resume} or {@link StepContext#respond}, from any thread.
   */
  PAUSE
}
