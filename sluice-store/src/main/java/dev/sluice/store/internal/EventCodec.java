package dev.sluice.store.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sluice.core.event.Event;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns events into JSON and back. The type name is stored beside the JSON (it is the record's
 * simple name), so the JSON itself is just the record's fields.
 */
public final class EventCodec {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final Map<String, Class<? extends Event>> TYPES = new HashMap<>();

  static {
    for (Class<?> c : Event.class.getPermittedSubclasses()) {
      TYPES.put(c.getSimpleName(), c.asSubclass(Event.class));
    }
  }

  private EventCodec() {}

  public static String encode(Event event) {
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + event.type(), e);
    }
  }

  public static Event decode(String type, String json) {
    Class<? extends Event> c = TYPES.get(type);
    if (c == null) {
      throw new IllegalStateException("unknown event type in the log: " + type);
    }
    try {
      return JSON.readValue(json, c);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot decode a " + type + " event: " + e.getOriginalMessage(), e);
    }
  }
}
