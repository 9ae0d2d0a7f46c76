/**
 * What the hosted model clients share, behind their public classes: the resolved settings, one HTTP
 * client per model driving a provider's wire codec, and the stream-decoding wrapper every provider
 * runs its wire format inside. Not an API; it may change in any release.
 */
@NullMarked
package dev.agentrt.core.internal.provider;

import org.jspecify.annotations.NullMarked;
