/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report/report_file.h"

#include "os/file_descriptor.h"

#include <fcntl.h>
#include <glib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace migkit {

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &why)
{
    throw std::runtime_error("cannot write the report to " + path + ": " + why);
}

[[noreturn]] void failErrno(const std::string &path, int error, const std::string &hint = "")
{
    fail(path, std::strerror(error) + hint);
}

void writeToFifo(int folder, const std::string &name, const std::string &path,
                 const std::string &text)
{
    /* O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of blocking. */
    FileDescriptor fd(
        ::openat(folder, name.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ENXIO)
            fail(path, "it is a FIFO and nothing reads from it (start the reader first)");
        failErrno(path, error);
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) < 0 ||
        !writeAll(fd.get(), text) || !fd.close())
        failErrno(path, errno);
}

void replaceRegularFile(int folder, const std::string &name, const std::string &path,
                        const std::string &text)
{
    std::string temporary;
    int raw = -1;
    for (int attempt = 0; attempt < 100 && raw < 0; attempt++) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, ".%08x", g_random_int());
        temporary = "." + name + suffix + ".tmp";
        raw = ::openat(folder, temporary.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (raw < 0 && errno != EEXIST)
            failErrno(path, errno, " (check that the folder is writable)");
    }
    if (raw < 0)
        fail(path, "cannot create a temporary file beside it");
    FileDescriptor fd(raw);
    auto giveUp = [&](int error) {
        ::unlinkat(folder, temporary.c_str(), 0);
        failErrno(path, error, error == ENOSPC ? " (free space in the folder)" : "");
    };
    if (!writeAll(fd.get(), text) || ::fsync(fd.get()) != 0)
        giveUp(errno);
    if (!fd.close())
        giveUp(errno);
    if (::renameat(folder, temporary.c_str(), folder, name.c_str()) != 0)
        giveUp(errno);
    /* The rename itself is durable only once the folder is. */
    ::fsync(folder);
}

} // namespace

void writeReportText(const std::string &path, const std::string &text)
{
    const std::filesystem::path target(path);
    const std::string name = target.filename().string();
    if (name.empty() || name == "." || name == "..")
        fail(path, "it names a folder, not a file: give a file name such as report.json");
    const std::string folderPath =
        target.has_parent_path() ? target.parent_path().string() : std::string(".");
    FileDescriptor folder(::open(folderPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0)
        failErrno(path, errno, " (check that the folder " + folderPath + " exists)");

    struct stat st;
    if (::fstatat(folder.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            failErrno(path, errno);
        replaceRegularFile(folder.get(), name, path, text);
    } else if (S_ISREG(st.st_mode)) {
        replaceRegularFile(folder.get(), name, path, text);
    } else if (S_ISFIFO(st.st_mode)) {
        writeToFifo(folder.get(), name, path, text);
    } else if (S_ISLNK(st.st_mode)) {
        fail(path, "it is a symbolic link, and reports are not written through links (one "
                   "planted in a shared folder could point anywhere): give the file itself");
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        fail(path, "it is a device, not a file (writing a report there would replace it): give "
                   "a file path, or leave the report out");
    } else if (S_ISDIR(st.st_mode)) {
        fail(path, "it is a folder: give a file name in it, such as " + path + "/report.json");
    } else {
        fail(path, "it is not a regular file (a socket?): give a file path");
    }
}

} // namespace migkit
