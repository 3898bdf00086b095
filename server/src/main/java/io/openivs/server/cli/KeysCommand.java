package io.openivs.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code openivs keys generate}: a playback key pair for private channels. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Playback key pairs for private channels.",
        subcommands = KeysCommand.Generate.class)
public final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = "Write an EC P-384 key pair as PEM: <name>-private.pem (PKCS#8, signs viewer tokens; keep it"
                    + " secret) and <name>-public.pem (for ImportPlaybackKeyPair).")
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--out-dir",
                defaultValue = "${env:OPENIVS_DATA_DIR:-./data}/keys",
                description = "Directory for the two files (default: ${DEFAULT-VALUE}, beside the server's data, which"
                        + " git ignores: the private key must not land in a repository).")
        Path outDir;

        @Option(
                names = "--name",
                defaultValue = "playback",
                description = "File name prefix (default: ${DEFAULT-VALUE}).")
        String name;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path priv = outDir.resolve(name + "-private.pem");
            Path pub = outDir.resolve(name + "-public.pem");
            if (Files.exists(priv) || Files.exists(pub)) {
                spec.commandLine().getErr().println("openivs: " + priv + " or " + pub + " exists; not overwriting");
                return 1;
            }
            Files.createDirectories(outDir);
            KeyPair k = PemKeys.generate();
            Files.createFile(priv);
            try {
                Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the file keeps its default permissions
            }
            Files.writeString(priv, PemKeys.pem("PRIVATE KEY", k.getPrivate().getEncoded()));
            Files.writeString(pub, PemKeys.pem("PUBLIC KEY", k.getPublic().getEncoded()));
            out.println("private key: " + priv);
            out.println("public key:  " + pub);
            out.println("import it:   aws ivs import-playback-key-pair --public-key-material file://" + pub
                    + " --endpoint-url http://<host>:<api-port>");
            out.flush();
            return 0;
        }
    }
}
