package dev.sluice.store;

/**
 * A write fenced by a lease was refused: the writer's lease expired or another holder took it (a
 * higher epoch). Nothing was written; the writer is no longer the one that may write.
 */
public final class LeaseLostException extends StoreException {
  private static final long serialVersionUID = 1L;

  public LeaseLostException(String message) {
    super(message);
  }
}
