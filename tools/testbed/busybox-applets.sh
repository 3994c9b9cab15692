#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The busybox applets the guest runner uses.
echo sh ash cat echo mount umount mkdir ls sed grep tr basename readlink \
	insmod rmmod lsmod modprobe dmesg poweroff timeout sleep head tail \
	cut awk wc chmod cp mv rm ln env id true false test [ printf kill \
	xxd od dd sync uname seq mkfifo
