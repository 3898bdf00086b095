package io.openivs.server.ingest.rtmp;

/** RTMP message type ids (RTMP 1.0 specification, sections 5.4 and 7.1). */
public final class RtmpMessageType {
    public static final int SET_CHUNK_SIZE = 1;
    public static final int ABORT = 2;
    public static final int ACKNOWLEDGEMENT = 3;
    public static final int USER_CONTROL = 4;
    public static final int WINDOW_ACK_SIZE = 5;
    public static final int SET_PEER_BANDWIDTH = 6;
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    /** Data message whose body starts with an AMF3 format byte (0 = AMF0 follows). */
    public static final int DATA_AMF3 = 15;

    public static final int SHARED_OBJECT_AMF3 = 16;
    /** Command message whose body starts with an AMF3 format byte (0 = AMF0 follows). */
    public static final int COMMAND_AMF3 = 17;

    public static final int DATA_AMF0 = 18;
    public static final int SHARED_OBJECT_AMF0 = 19;
    public static final int COMMAND_AMF0 = 20;
    public static final int AGGREGATE = 22;

    /** Protocol control messages travel on message stream 0 and chunk stream 2. */
    static boolean isProtocolControl(int typeId) {
        return typeId >= SET_CHUNK_SIZE && typeId <= SET_PEER_BANDWIDTH;
    }

    private RtmpMessageType() {}
}
