using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NFStream.Engine.Export;

/// <summary>
/// Opens an export file so that only one writer has it, while readers (Get-Content -Wait, Import-Csv, tail) can
/// still read it as it grows. Shared by every flow exporter.
/// On Linux the lock is an open-file-description write lock (fcntl F_OFD_SETLK): it conflicts with a second
/// writer in another process or in this one (two exporters of one pipeline), and is independent of the flock
/// that .NET readers take. On Windows, sharing the file for reading only refuses a second writer already.
/// The file is emptied (without append) only once the lock is held, so a refused writer changes nothing.
/// </summary>
public static class ExclusiveWriteLock
{
    private const int FOfdSetLk = 37, FWrLck = 1, EAgain = 11, EAcces = 13;

    [StructLayout(LayoutKind.Sequential)]
    private struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(IntPtr fd, int command, ref Flock flock);

    /// <summary>Opens (or creates) the file for exclusive write, at its end (append) or emptied.</summary>
    /// <exception cref="ExportFileInUseException">Another writer holds the file.</exception>
    public static FileStream Open(string path, bool append)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && IsSharingViolation(e))
        {
            throw new ExportFileInUseException(path, e);
        }
        try
        {
            if (OperatingSystem.IsLinux() && stream.CanSeek) Lock(stream, path);
            if (stream.CanSeek)
            {
                if (!append) stream.SetLength(0);
                stream.Seek(0, SeekOrigin.End);
            }
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void Lock(FileStream stream, string path)
    {
        SafeFileHandle handle = stream.SafeFileHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var request = new Flock { Type = FWrLck, Whence = 0, Start = 0, Length = 0, Pid = 0 };
            if (Fcntl(handle.DangerousGetHandle(), FOfdSetLk, ref request) == 0) return;
            int errno = Marshal.GetLastPInvokeError();
            if (errno is EAgain or EAcces)
                throw new ExportFileInUseException(path, new IOException($"fcntl(F_OFD_SETLK) failed with errno {errno}"));
            // Older kernels without open-file-description locks: go without the lock rather than fail the export.
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private static bool IsSharingViolation(IOException e) =>
        (e.HResult & 0xFFFF) is 32 or 33 || e.Message.Contains("being used by another process", StringComparison.Ordinal);
}
