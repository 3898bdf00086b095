package io.openivs.client.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProfileFileTest {

    @Test
    void credentialsFileSectionsAreProfileNames() {
        ProfileFile file = ProfileFile.parse(
                String.join(
                        "\n",
                        "# a comment",
                        "[default]",
                        "aws_access_key_id = AKIDDEFAULT",
                        "AWS_Secret_Access_Key=secret#with-hash ; trailing comment",
                        "",
                        "[dev]  ; comment after the section",
                        "aws_access_key_id = AKIDDEV",
                        "s3 =",
                        "    max_concurrent_requests = 20",
                        "[profile looks-like-config]",
                        "aws_access_key_id = X"),
                false);

        assertThat(file.profile("default"))
                .containsEntry("aws_access_key_id", "AKIDDEFAULT")
                .containsEntry("aws_secret_access_key", "secret#with-hash");
        assertThat(file.profile("dev"))
                .containsEntry("aws_access_key_id", "AKIDDEV")
                .doesNotContainKey("max_concurrent_requests");
        assertThat(file.profile("profile looks-like-config")).containsEntry("aws_access_key_id", "X");
        assertThat(file.profile("missing")).isEmpty();
    }

    @Test
    void configFileProfilesNeedTheProfilePrefix() {
        ProfileFile file = ProfileFile.parse(
                String.join(
                        "\r\n",
                        "[default]",
                        "region = us-east-1",
                        "[profile dev]",
                        "region = eu-west-1",
                        "[sso-session corp]",
                        "region = ap-south-1",
                        "[dev]",
                        "region = nowhere"),
                true);

        assertThat(file.profile("default")).containsEntry("region", "us-east-1");
        assertThat(file.profile("dev")).containsEntry("region", "eu-west-1");
        assertThat(file.profiles()).containsOnlyKeys("default", "dev");
    }
}
