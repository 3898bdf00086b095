package io.openivs.model;

/** The shape types of an AWS service model ("type" of a shape), as used by REST-JSON services. */
public enum ShapeType {
    STRUCTURE,
    STRING,
    INTEGER,
    LONG,
    BOOLEAN,
    LIST,
    MAP,
    TIMESTAMP,
    BLOB,
    DOUBLE,
    FLOAT;

    static ShapeType fromModel(String type) {
        switch (type) {
            case "structure":
                return STRUCTURE;
            case "string":
                return STRING;
            case "integer":
                return INTEGER;
            case "long":
                return LONG;
            case "boolean":
                return BOOLEAN;
            case "list":
                return LIST;
            case "map":
                return MAP;
            case "timestamp":
                return TIMESTAMP;
            case "blob":
                return BLOB;
            case "double":
                return DOUBLE;
            case "float":
                return FLOAT;
            default:
                throw new IllegalArgumentException("Unsupported shape type: " + type);
        }
    }
}
