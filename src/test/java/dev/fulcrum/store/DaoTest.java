package dev.fulcrum.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.Json;
import dev.fulcrum.store.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaoTest {
  @TempDir Path dir;
  EmbeddedStore store;
  Dao dao;

  @BeforeEach
  void open() {
    store = EmbeddedStore.open(dir, "11111111-1111-4111-8111-111111111111");
    store.migrateUp();
    dao = new Dao(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private ObjectNode service(String name) {
    return dao.insert(Entities.SERVICES, Json.parseObject("{\"name\":\"" + name + "\",\"host\":\"h.test\"}"));
  }

  @Test
  void everyWriteAppendsOneChangeEvent() {
    long before = store.lastEventId();
    ObjectNode s = service("evented");
    List<ChangeEvent> events = store.eventsAfter(before, 10);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).data()).isEqualTo("services:create:" + Json.text(s, "id"));
    assertThat(events.get(0).nodeId()).isEqualTo(store.nodeId());
  }

  @Test
  void aFailedWriteChangesNothing() {
    long before = store.lastEventId();
    assertThatThrownBy(
            () ->
                store.write(
                    tx -> {
                      tx.insert(
                          Entities.SERVICES,
                          Entities.SERVICES.schema().validate(
                              Json.parseObject("{\"id\":\"22222222-2222-4222-8222-222222222222\",\"host\":\"a.test\"}"),
                              new dev.fulcrum.model.FieldErrors()));
                      tx.publish(ChangeEvent.INVALIDATIONS, "services:create:x");
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(dao.select(Entities.SERVICES, "22222222-2222-4222-8222-222222222222")).isEmpty();
    assertThat(store.lastEventId()).isEqualTo(before);
  }

  @Test
  void restrictedDeleteLeavesEverything() {
    ObjectNode s = service("restricted");
    dao.insert(Entities.ROUTES, Json.parseObject("{\"paths\":[\"/r\"],\"service\":{\"id\":\"" + Json.text(s, "id") + "\"}}"));
    long before = store.lastEventId();
    assertThatThrownBy(() -> dao.delete(Entities.SERVICES, Json.text(s, "id")))
        .isInstanceOf(DaoException.class)
        .hasMessage("an existing 'routes' entity references this 'services' entity");
    assertThat(dao.select(Entities.SERVICES, "restricted")).isPresent();
    assertThat(store.lastEventId()).isEqualTo(before);
  }

  @Test
  void deletingAnUpstreamCascadesToItsTargets() {
    ObjectNode u = dao.insert(Entities.UPSTREAMS, Json.parseObject("{\"name\":\"cascade.test\"}"));
    String uid = Json.text(u, "id");
    dao.insert(Entities.TARGETS, Json.parseObject("{\"target\":\"a.test:80\",\"upstream\":{\"id\":\"" + uid + "\"}}"));
    dao.insert(Entities.TARGETS, Json.parseObject("{\"target\":\"b.test:80\",\"upstream\":{\"id\":\"" + uid + "\"}}"));
    long before = store.lastEventId();
    dao.delete(Entities.UPSTREAMS, uid);
    List<ObjectNode> left = store.read(tx -> tx.all(Entities.TARGETS));
    assertThat(left).isEmpty();
    assertThat(store.eventsAfter(before, 10)).hasSize(3);
  }

  @Test
  void pagesWalkEveryRowOnce() {
    for (int i = 0; i < 7; i++) {
      service("paged-" + i);
    }
    int seen = 0;
    String offset = null;
    do {
      Page p = dao.page(Entities.SERVICES, new PageRequest(3, offset, null, null, null, false));
      seen += p.data().size();
      offset = p.offset();
    } while (offset != null);
    assertThat(seen).isEqualTo(7);
  }
}
