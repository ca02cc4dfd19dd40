package dev.fulcrum.store;

import java.util.List;

/**
 * What to list.
 *
 * @param size rows per page
 * @param offset token from the previous page, or null for the first
 * @param foreignField restrict to children of one parent (e.g. {@code service}), or null
 * @param foreignId that parent's id
 * @param tags tag filter, or null
 * @param anyTag true for {@code tags=a/b} (any), false for {@code tags=a,b} (all)
 */
public record PageRequest(
    int size, String offset, String foreignField, String foreignId, List<String> tags, boolean anyTag) {
  public static PageRequest first(int size) {
    return new PageRequest(size, null, null, null, null, false);
  }
}
