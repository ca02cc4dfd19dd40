package dev.fulcrum.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** One page of a listing; {@code offset} is the token for the next page, or null on the last. */
public record Page(List<ObjectNode> data, String offset) {}
