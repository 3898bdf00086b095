package io.openivs.junit;

import io.openivs.server.OpenIvs;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs an embedded openivs ({@link OpenIvs}) for a test class: started before
 * the class's first test, stopped after its last, shared with its {@code @Nested} classes, and given
 * to any constructor, test or lifecycle method that takes an {@link OpenIvs} parameter.
 *
 * <pre>{@code
 * @ExtendWith(OpenIvsExtension.class)
 * class MyIvsTest {
 *     @Test
 *     void createsAChannel(OpenIvs ivs) { ... ivs.endpoint() ... }
 * }
 * }</pre>
 *
 * Or, with options, as a field: {@code @RegisterExtension static OpenIvsExtension ivs = new
 * OpenIvsExtension(OpenIvs.Options.defaults().region("eu-west-1"));} and {@code ivs.server()}.
 */
public final class OpenIvsExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(OpenIvsExtension.class);

    private final OpenIvs.Options options;
    private volatile OpenIvs started;

    /** With {@link OpenIvs.Options#defaults()}. */
    public OpenIvsExtension() {
        this(OpenIvs.Options.defaults());
    }

    public OpenIvsExtension(OpenIvs.Options options) {
        this.options = options;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    /** The running server of the test class this extension is registered on. */
    public OpenIvs server() {
        OpenIvs s = started;
        if (s == null) {
            throw new IllegalStateException("openivs starts before the test class's first test; not yet started");
        }
        return s;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == OpenIvs.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    /**
     * The server of the nearest enclosing class context, started there on first use. The store closes
     * it (an AutoCloseable) when that context ends, after the class's last test.
     */
    private OpenIvs server(ExtensionContext context) {
        ExtensionContext owner = context;
        while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
            owner = owner.getParent().get();
        }
        OpenIvs s = owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(OpenIvs.class, k -> OpenIvs.start(options), OpenIvs.class);
        started = s;
        return s;
    }
}
