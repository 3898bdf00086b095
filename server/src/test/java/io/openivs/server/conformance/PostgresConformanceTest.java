package io.openivs.server.conformance;

import io.openivs.server.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The conformance suite on PostgreSQL: a fresh database per test. */
class PostgresConformanceTest extends ConformanceSuite {
    private final List<String> created = new ArrayList<>();

    @Override
    String dbUrl(Path dir) {
        String url = TestDatabases.postgres();
        created.add(url);
        return url;
    }

    @Override
    void dropDb() {
        created.forEach(TestDatabases::dropPostgres);
        created.clear();
    }
}
