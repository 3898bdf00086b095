/**
 * SRT ingest (draft-sharabayko-srt, live mode, listener side): {@link io.openivs.server.ingest.srt.SrtServer}
 * on one UDP port, asking an {@link io.openivs.server.ingest.srt.SrtIngest} who may publish and
 * handing each accepted caller's payload (MPEG-TS) in order to its session. Pure parts, tested
 * without sockets: packet and handshake codecs ({@code SrtPacket}, {@code Handshake},
 * {@code KeyMaterial}), payload crypto ({@code SrtCrypto}), the listener handshake
 * ({@code ListenerHandshake}), the receive window ({@code ReceiveWindow}) and the per-caller
 * state machine ({@code SrtConnection}).
 */
package io.openivs.server.ingest.srt;
