/**
 * File-system tools confined to one root directory: {@link dev.agentrt.tools.fs.FileSystemTools}.
 */
@NullMarked
package dev.agentrt.tools.fs;

import org.jspecify.annotations.NullMarked;
