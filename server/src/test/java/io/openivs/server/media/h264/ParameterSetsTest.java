package io.openivs.server.media.h264;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterSetsTest {

    private static final byte[] PPS_0 = HexFormat.of().parseHex("68ce0fc8"); // pic_parameter_set_id ue "1": 0
    private static final byte[] PPS_1 = HexFormat.of().parseHex("6853c0"); // ue "010": 1
    private static final byte[] PPS_0_AGAIN = HexFormat.of().parseHex("68ee3c80");

    private static List<String> hex(List<byte[]> nals) {
        return nals.stream().map(HexFormat.of()::formatHex).toList();
    }

    @Test
    void readsTheIdOfEitherKind() {
        assertThat(ParameterSets.id(PPS_0)).isZero();
        assertThat(ParameterSets.id(PPS_1)).isEqualTo(1);
        // seq_parameter_set_id after profile, constraint flags and level: "1" is 0.
        assertThat(ParameterSets.id(HexFormat.of().parseHex("6742c01eda"))).isEqualTo(0x100);
        assertThatThrownBy(() -> ParameterSets.id(HexFormat.of().parseHex("6742c0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNewIdIsAddedInFrontAndAKnownIdIsReplaced() {
        List<byte[]> both = ParameterSets.merge(List.of(PPS_0), List.of(PPS_1));
        assertThat(hex(both)).containsExactly("6853c0", "68ce0fc8");
        assertThat(hex(ParameterSets.merge(both, List.of(PPS_0_AGAIN)))).containsExactly("68ee3c80", "6853c0");
        assertThat(hex(ParameterSets.merge(both, List.of()))).containsExactly("6853c0", "68ce0fc8");
    }
}
