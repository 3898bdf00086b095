package io.openivs.client.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.client.config.AwsEnvironment;
import io.openivs.client.config.SharedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials and region come from where the AWS tools look, in the same order. */
class CredentialsResolutionTest {

    @TempDir
    Path home;

    private void files(String credentials, String config) throws IOException {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/credentials"), credentials);
        Files.writeString(home.resolve(".aws/config"), config);
    }

    private AwsEnvironment env(String... keyValues) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            vars.put(keyValues[i], keyValues[i + 1]);
        }
        return new AwsEnvironment(vars, home);
    }

    @Test
    void environmentVariablesComeFirst() throws IOException {
        files("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n", "");
        AwsCredentials c = new DefaultCredentialsProvider(
                        env(
                                "AWS_ACCESS_KEY_ID",
                                "ENVKEY",
                                "AWS_SECRET_ACCESS_KEY",
                                "envsecret",
                                "AWS_SESSION_TOKEN",
                                "token"),
                        null)
                .resolveCredentials();
        assertThat(c).isEqualTo(new AwsCredentials("ENVKEY", "envsecret", "token"));
    }

    @Test
    void thenTheProfileOfAwsProfile() throws IOException {
        files(
                "[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = defsecret\n"
                        + "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret\naws_session_token = devtoken\n",
                "[profile dev]\nregion = eu-west-1\naws_access_key_id = OVERRIDDEN\n");
        assertThat(new DefaultCredentialsProvider(env(), null)
                        .resolveCredentials()
                        .accessKeyId())
                .isEqualTo("DEFKEY");

        AwsEnvironment dev = env("AWS_PROFILE", "dev", "AWS_ACCESS_KEY_ID", "ONLY-HALF");
        AwsCredentials c = new DefaultCredentialsProvider(dev, null).resolveCredentials();
        assertThat(c).isEqualTo(new AwsCredentials("DEVKEY", "devsecret", "devtoken"));
        assertThat(SharedConfig.load(dev).region()).isEqualTo("eu-west-1");
    }

    @Test
    void keysMayLiveInTheConfigFileAndFilesMayBeNamedByVariables() throws IOException {
        Path config = home.resolve("elsewhere.ini");
        Files.writeString(
                config,
                "[profile ci]\naws_access_key_id = CFGKEY\naws_secret_access_key = cfgsecret\n"
                        + "region = ap-northeast-1\n");
        AwsEnvironment e = env(
                "AWS_CONFIG_FILE",
                config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE",
                home.resolve("none").toString());
        assertThat(new ProfileCredentialsProvider(e, "ci").resolveCredentials().accessKeyId())
                .isEqualTo("CFGKEY");
        assertThat(SharedConfig.load(e, "ci").region()).isEqualTo("ap-northeast-1");
    }

    @Test
    void regionVariablesOverrideTheProfile() throws IOException {
        files("", "[default]\nregion = us-east-1\n");
        assertThat(SharedConfig.load(env()).region()).isEqualTo("us-east-1");
        assertThat(SharedConfig.load(env("AWS_DEFAULT_REGION", "eu-west-1")).region())
                .isEqualTo("eu-west-1");
        assertThat(SharedConfig.load(env("AWS_DEFAULT_REGION", "eu-west-1", "AWS_REGION", "us-west-2"))
                        .region())
                .isEqualTo("us-west-2");
    }

    @Test
    void nothingConfiguredSaysWhereItLooked() {
        assertThatThrownBy(() -> new DefaultCredentialsProvider(env(), null).resolveCredentials())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageContaining(home.resolve(".aws/credentials").toString());
    }
}
