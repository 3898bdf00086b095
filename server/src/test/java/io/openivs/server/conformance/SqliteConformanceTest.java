package io.openivs.server.conformance;

import io.openivs.server.testing.TestDatabases;
import java.nio.file.Path;

/** The conformance suite on the embedded SQLite store. */
class SqliteConformanceTest extends ConformanceSuite {
    @Override
    String dbUrl(Path dir) {
        return TestDatabases.sqlite(dir);
    }
}
