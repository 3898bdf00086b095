package io.openivs.server.resource;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lookups are stored: a database written by an earlier version must still find its keys and revocations. */
class LookupsTest {
    @Test
    void aStreamKeysLookupIsTheHexSha256OfItsValue() {
        assertThat(Lookups.streamKey("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aRevocationIsFoundByChannelAndViewer() {
        String channel = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456";
        assertThat(Lookups.viewerRevocation(channel, "viewer-42")).isEqualTo(channel + "\nviewer-42");
        assertThat(Lookups.viewerRevocation(channel, "a")).isNotEqualTo(Lookups.viewerRevocation(channel, "b"));
    }
}
