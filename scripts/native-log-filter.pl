#!/usr/bin/env perl
# Drops TensorFlow's native start-up log lines (oneDNN notice, CPU-feature guard, absl's pre-init warning, MLIR
# pass notice: INFO and WARNING only) from a stream and passes everything else through unchanged and at once,
# including progress bars redrawn with carriage returns. The edgeslim launcher pipes the JVM's stderr through it
# unless --verbose is given; the native library writes to file descriptor 2 directly, out of the JVM's reach.
use strict;
use warnings;
$SIG{INT} = "IGNORE"; $SIG{TERM} = "IGNORE";   # drain until the JVM closes stderr
$| = 1; binmode STDIN; binmode STDOUT;
my $native = qr{^(?:
    \d{4}-\d\d-\d\d[ ]\d\d:\d\d:\d\d\.\d+:[ ][IW][ ]\S+:\d+\]
  | [IW]\d{4}[ ]\d\d:\d\d:\d+\.\d+[ ]+\d+[ ]\S+:\d+\]
  | WARNING:[ ]All[ ]log[ ]messages[ ]before[ ]absl::InitializeLog\(\)[ ]is[ ]called[ ]are[ ]written[ ]to[ ]STDERR
  | To[ ]enable[ ]the[ ]following[ ]instructions:[ ].*rebuild[ ]TensorFlow[ ]with[ ]the[ ]appropriate[ ]compiler[ ]flags
)}x;
# a line that may still turn out to be a native one is held until it ends
my $maybe = qr{^(?:\d|[IW]\d|[IW]$|WARNING: All log|To enable)|^(?:W|WA|WAR|WARN|WARNI|WARNIN|WARNING|WARNING:|T|To|To )$};
my ($buf, $shown) = ("", 0);
while (sysread(STDIN, my $chunk, 65536)) {
  $buf .= $chunk;
  while ($buf =~ s/^([^\r\n]*[\r\n])//) {
    my $line = $1;
    print $line if $shown || $line !~ $native;
    $shown = 0;
  }
  if ($buf ne "" && ($shown || $buf !~ $maybe)) {
    print $buf; $buf = ""; $shown = 1;
  }
}
print $buf;

