package io.openivs.server.store;

/**
 * One IVS resource as the store keeps it: its API document (JSON text) plus
 * the columns used to find, order and constrain it.
 *
 * @param created ordering key: creation time in microseconds, unique enough
 *                with {@code id} as tie-break; listing order is (created, id)
 * @param parent  owning resource (a stream key's channel), or null
 * @param lookup  unique secondary key within the type (stream key value
 *                digest, playback key fingerprint scoped to its account), or null
 * @param version optimistic-concurrency counter, bumped by every update
 */
public record StoredResource(
        String arn,
        String account,
        String region,
        String type,
        String id,
        long created,
        String parent,
        String lookup,
        long version,
        String doc) {

    public StoredResource withDoc(String newDoc) {
        return new StoredResource(arn, account, region, type, id, created, parent, lookup, version, newDoc);
    }
}
