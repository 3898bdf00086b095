/**
 * What the control API needs from the parts of a node that run streams and recordings, and the shape
 * of the cues it leaves in the store for them. The control API calls these; {@code live} and
 * {@code recording} implement and read them, so neither side imports the other.
 */
package io.openivs.server.control.spi;
