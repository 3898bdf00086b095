package io.openivs.server.control.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.store.StreamCue;
import org.junit.jupiter.api.Test;

/** The cue shape the control API writes is the one a stream's owner reads back. */
class CuesTest {
    @Test
    void anAdBreakReadsBackAsWritten() {
        StreamCue cue = Cues.adBreak("st-1AbCdEfGhIjKlMnOpQrStUv", "Ab12Cd34Ef56", 30, 1_700_000_000_000L);
        assertThat(cue.kind()).isEqualTo(Cues.AD_BREAK);
        assertThat(cue.streamId()).isEqualTo("st-1AbCdEfGhIjKlMnOpQrStUv");
        assertThat(Cues.AdBreak.of(cue)).isEqualTo(new Cues.AdBreak("Ab12Cd34Ef56", 30));
    }

    @Test
    void metadataCarriesItsTextUnchanged() {
        String text = "{\"question\":\"2+2?\",\"é\":\"ü\"}";
        StreamCue cue = Cues.metadata("st-1AbCdEfGhIjKlMnOpQrStUv", text, 1_700_000_000_000L);
        assertThat(cue.kind()).isEqualTo(Cues.METADATA);
        assertThat(cue.body()).isEqualTo(text);
    }

    @Test
    void idsSortByTimeThenDifferWithinAMillisecond() {
        StreamCue first = Cues.metadata("st-x", "a", 1_700_000_000_000L);
        StreamCue same = Cues.metadata("st-x", "b", 1_700_000_000_000L);
        StreamCue later = Cues.metadata("st-x", "c", 1_700_000_000_001L);
        assertThat(first.id()).isNotEqualTo(same.id());
        assertThat(first.id().compareTo(later.id())).isNegative();
        assertThat(same.id().compareTo(later.id())).isNegative();
    }
}
