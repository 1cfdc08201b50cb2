#!/usr/bin/perl
# ci/mutants.pl - the catalogue's reader and editor, for ci/mutants.sh
# (the format is described at the top of ci/mutants.txt):
#   mutants.pl check CATALOGUE            the catalogue is well formed (else exit 1)
#   mutants.pl list CATALOGUE             one line per mutant:
#                                         name TAB builds TAB requires TAB class
#   mutants.pl get CATALOGUE NAME FIELD   one field (builds, class, requires,
#                                         expect, options, boot, files)
#   mutants.pl apply CATALOGUE NAME DIR   edit the copy of the tree in DIR: each
#                                         hunk's old lines must occur exactly once
#                                         in its file, else nothing is written, exit 1
#   mutants.pl verdict JSON [KIND]        the first violation of the report (of
#                                         kind KIND if given): kind TAB t_s TAB message
#                                         (nothing if there is none)
# Exit 0, 1 (a mutant does not apply, or the catalogue is malformed), 2 (usage).
use strict;
use warnings;

my %BUILDS = map { $_ => 1 } qw(release tsan asan);
my %SINGLE = map { $_ => 1 } qw(class builds requires expect options boot);

sub usage {
	print STDERR "usage: mutants.pl check|list CATALOGUE | get CATALOGUE NAME FIELD |"
		. " apply CATALOGUE NAME DIR | verdict JSON [KIND]\n";
	exit 2;
}

# The catalogue: a list of mutants, each { name, line, class, builds, ...,
# hunks => [ { file, old => [lines], new => [lines], line } ] }.
sub parse {
	my ($path) = @_;
	my (@m, $cur, $hunk, @err);

	open(my $fh, '<', $path) or die "mutants.pl: cannot read $path: $!\n";
	while (my $l = <$fh>) {
		chomp $l;
		my $at = "$path:$.";
		if ($l =~ /^[-+]/) {
			if (!$hunk) {
				push @err, "$at: a '" . substr($l, 0, 1) . "' line outside an edit";
				next;
			}
			my $text = substr($l, 1);
			if (substr($l, 0, 1) eq '-') {
				if (@{$hunk->{new}}) {
					push @err, "$at: a '-' line after the '+' lines of its edit (start another edit)";
					next;
				}
				push @{$hunk->{old}}, $text;
			} else {
				push @{$hunk->{new}}, $text;
			}
			next;
		}
		next if $l =~ /^\s*(#|$)/;
		$hunk = undef if $l !~ /^edit\s/;
		my ($key, $val) = $l =~ /^(\S+)\s*(.*?)\s*$/;
		if ($key eq 'mutant') {
			push @err, "$at: bad mutant name '$val' (letters, digits and '-')"
				unless $val =~ /^[a-z0-9][a-z0-9-]*$/;
			push @err, "$at: mutant $val is already defined" if grep { $_->{name} eq $val } @m;
			$cur = { name => $val, line => $at, hunks => [] };
			push @m, $cur;
		} elsif (!$cur) {
			push @err, "$at: '$key' before the first 'mutant' line";
		} elsif ($key eq 'edit') {
			push @err, "$at: edit of an unsafe path '$val'" if $val eq '' || $val =~ m{^/|\.\.};
			$hunk = { file => $val, old => [], new => [], line => $at };
			push @{$cur->{hunks}}, $hunk;
		} elsif ($SINGLE{$key}) {
			push @err, "$at: $key given twice for $cur->{name}" if exists $cur->{$key};
			$cur->{$key} = $val;
		} else {
			push @err, "$at: unknown key '$key'";
		}
	}
	close($fh);
	for my $m (@m) {
		for my $k (qw(class builds)) {
			push @err, "$m->{line}: mutant $m->{name} has no '$k'" unless defined $m->{$k};
		}
		for my $b (split ' ', $m->{builds} // '') {
			push @err, "$m->{line}: mutant $m->{name}: unknown build '$b' (release, tsan, asan)"
				unless $BUILDS{$b};
		}
		push @err, "$m->{line}: mutant $m->{name} has no edit" unless @{$m->{hunks}};
		for my $h (@{$m->{hunks}}) {
			push @err, "$h->{line}: an edit without '-' lines (the text it replaces)"
				unless @{$h->{old}};
		}
		$m->{$_} //= '' for keys %SINGLE;
	}
	if (@err) {
		print STDERR "mutants.pl: $_\n" for @err;
		exit 1;
	}
	return @m;
}

sub find {
	my ($path, $name) = @_;
	my ($m) = grep { $_->{name} eq $name } parse($path);

	die "mutants.pl: no mutant '$name' in $path\n" unless $m;
	return $m;
}

# Occurrences of $needle in $hay (non-overlapping), and where the first is.
sub occurrences {
	my ($hay, $needle) = @_;
	my ($n, $pos, $first) = (0, 0, -1);

	while ((my $i = index($hay, $needle, $pos)) >= 0) {
		$first = $i if $n++ == 0;
		$pos = $i + length($needle);
	}
	return ($n, $first);
}

sub apply {
	my ($path, $name, $dir) = @_;
	my $m = find($path, $name);
	my (%text, @order, $bad);

	for my $h (@{$m->{hunks}}) {
		my $file = "$dir/$h->{file}";

		if (!exists $text{$file}) {
			open(my $fh, '<', $file) or do {
				print STDERR "mutant $name: $h->{line}: cannot read $h->{file}: $!\n";
				$bad = 1;
				next;
			};
			local $/;
			$text{$file} = <$fh>;
			close($fh);
			push @order, $file;
		}
		# whole lines: the old text starts at a line start, ends with one
		my $old = join('', map { "$_\n" } @{$h->{old}});
		my $new = join('', map { "$_\n" } @{$h->{new}});
		my $t = $text{$file};
		my ($n, $at) = occurrences("\n$t", "\n$old");

		if ($n != 1) {
			printf STDERR "mutant %s: %s: the text to replace (%d line%s) %s %s\n", $name,
				$h->{line}, scalar @{$h->{old}}, @{$h->{old}} == 1 ? '' : 's',
				$n ? "occurs $n times in" : "is not in", $h->{file} . ($n ? " (it must be once)" : "");
			$bad = 1;
			next;
		}
		substr($t, $at, length($old)) = $new;
		$text{$file} = $t;
	}
	exit 1 if $bad;
	for my $file (@order) {
		open(my $fh, '>', $file) or die "mutant $name: cannot write $file: $!\n";
		print $fh $text{$file};
		close($fh) or die "mutant $name: cannot write $file: $!\n";
	}
	return 0;
}

sub verdict {
	my ($json, $kind) = @_;
	require JSON::PP;
	open(my $fh, '<', $json) or return;
	local $/;
	my $r = eval { JSON::PP::decode_json(<$fh>) } or return;
	for my $v (@{$r->{violations} // []}) {
		next if defined $kind && $kind ne '' && $v->{kind} ne $kind;
		(my $msg = $v->{message} // '') =~ s/\s+/ /g;
		printf "%s\t%.2f\t%s\n", $v->{kind}, $v->{t_s} // 0, $msg;
		return;
	}
}

my $cmd = shift // usage();
if ($cmd eq 'check' && @ARGV == 1) {
	parse($ARGV[0]);
} elsif ($cmd eq 'list' && @ARGV == 1) {
	print join("\t", $_->{name}, $_->{builds}, $_->{requires}, $_->{class}), "\n"
		for parse($ARGV[0]);
} elsif ($cmd eq 'get' && @ARGV == 3) {
	my $m = find($ARGV[0], $ARGV[1]);
	if ($ARGV[2] eq 'files') {
		my %seen;
		print join(' ', grep { !$seen{$_}++ } map { $_->{file} } @{$m->{hunks}}), "\n";
	} elsif ($SINGLE{$ARGV[2]}) {
		print $m->{$ARGV[2]}, "\n";
	} else {
		usage();
	}
} elsif ($cmd eq 'apply' && @ARGV == 3) {
	apply(@ARGV);
} elsif ($cmd eq 'verdict' && (@ARGV == 1 || @ARGV == 2)) {
	verdict(@ARGV);
} else {
	usage();
}
exit 0;
