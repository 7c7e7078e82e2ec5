/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string>

namespace migkit {

/**
 * writeReportText: put @text at @path, the one way migkit writes a report file (the CLI's
 * `--report`, migkitd's report folder).
 *
 * A regular file (or a new one) is replaced atomically: the text goes to a fresh temporary
 * file beside it (created with O_EXCL | O_NOFOLLOW), is fsync'ed and renamed over @path, and
 * the folder is fsync'ed, so a reader never sees half a report and a crash leaves the old one;
 * on any failure the temporary file is removed.  A FIFO is written directly (someone reads
 * it).  Everything else is refused without being touched: a symbolic link (the last component
 * is never followed, so a link planted in a report folder others can write cannot redirect a
 * root process), a device such as /dev/null (renaming over it would replace the node), a
 * folder.  All file operations are relative to the folder opened once (openat), so the
 * checks and the writes concern the same folder.  Throws std::runtime_error naming @path,
 * the reason and what to do.
 */
void writeReportText(const std::string &path, const std::string &text);

} // namespace migkit
