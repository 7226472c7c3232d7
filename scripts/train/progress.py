"""A progress bar: tqdm when installed, else one rewritten line on stderr."""
import sys
import time


class Progress:
    """Progress over `total` steps with a short status text."""

    def __init__(self, total, label, quiet=False):
        self.total, self.label, self.quiet, self.started = total, label, quiet, time.time()
        self.bar = None
        if not quiet:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc=label, unit="step", file=sys.stderr)
            except ImportError:
                pass

    def update(self, done, status=""):
        """Shows `done` of total steps."""
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.n = done
            self.bar.set_postfix_str(status, refresh=False)
            self.bar.refresh()
            return
        elapsed = time.time() - self.started
        left = elapsed / done * (self.total - done) if done else 0
        sys.stderr.write(f"\r{self.label}: {done}/{self.total} steps, {elapsed:.0f} s, about {left:.0f} s left, {status}   ")
        sys.stderr.flush()

    def close(self):
        """Ends the bar's line."""
        if self.bar is not None:
            self.bar.close()
        elif not self.quiet:
            sys.stderr.write("\n")
