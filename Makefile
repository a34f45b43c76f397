# SPDX-License-Identifier: GPL-2.0
#
# kipc: module, libkipc, the kipc tool and the selftests.
#
#   make                 build everything for KDIR (see below)
#   make check           run the selftests in QEMU on Debian's 6.1 and 6.12
#   make check-debug     the same on a KASAN/lockdep/kmemleak kernel
#   make bench           run the benchmark (host if it can load modules, else QEMU);
#                        results in build/bench/. BENCH_ARGS="--quick ..." adds
#                        options to kipc bench (words split at spaces)
#   make vm-shell        a shell in the VM with the module loaded
#   make deps            install the Debian packages the above need
#   make style           checkpatch over kmod/
#   make install         library, headers, libkipc.pc, the tool (DESTDIR,
#                        PREFIX, LIBDIR, INCLUDEDIR, BINDIR); make uninstall
#                        removes exactly that
#   make modules_install the module into /lib/modules/KVER (INSTALL_MOD_PATH),
#                        then depmod
#   make dkms-install    the module's source under /usr/src/kipc-VERSION,
#                        added to DKMS (dkms then builds it for each kernel)
#   make check-package   install, an outside program against libkipc.pc,
#                        uninstall, dkms build for 6.1 and 6.12: on the host
#
# Everything built lands in build/; nothing in the source tree changes.

SHELL		:= /bin/bash
BUILD		:= build
PREFIX		?= /usr/local
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
# The headers get a directory of their own: <kipc.h> and its <linux/kipc.h>
# under it, clear of linux-libc-dev's /usr/include/linux.
PKGINCDIR	= $(INCLUDEDIR)/kipc
# Extra options for kipc bench under make bench.
BENCH_ARGS	?=

# The kernel to build the module against: the running kernel's build tree if
# it has one, else the newest installed one.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1))
# The release the headers were built for (kernel.release in Debian's headers
# is the upstream version, not the uname -r the module must match).
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR = $(BUILD)/mod/$(KVER)

# kselftest_harness.h comes from Debian's kernel source tarball, extracted
# at build time; never copied into git.
KSRC_TAR	?= /usr/src/linux-source-6.1.tar.xz
KSFT_DIR	?= $(BUILD)/ksft

# The package's version (module, DKMS) and the library's, each read from
# the one place it is defined.
KIPC_VERSION	:= $(shell sed -n 's/^\#define KIPC_VERSION "\(.*\)"/\1/p' kmod/version.h)
LIB_VERSION	:= $(shell sed -n 's/^\#define KIPC_LIB_VERSION_[A-Z]*[[:space:]]*//p' \
			lib/include/kipc.h | paste -sd.)
LIB_SONAME	:= libkipc.so.$(firstword $(subst ., ,$(LIB_VERSION)))

CC		?= gcc
CFLAGS		?= -O2 -g
WARN		:= -Wall -Wextra -Werror

# libnl-3 and libnl-genl-3 (lib/nl.c, the netlink selftest). The shared
# library and the kipc tool link them dynamically; the static selftests
# (they run in the VM's initramfs as they are) get their .a files from
# pkg-config --static under -static. Linking those prints glibc's warnings
# about getaddrinfo/getprotobyname in libnl's utilities, which kipc never
# calls.
PKG_CONFIG	?= pkg-config
NL_PKG		:= libnl-genl-3.0
NL_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(NL_PKG) 2>/dev/null)
NL_LIBS		:= $(shell $(PKG_CONFIG) --libs $(NL_PKG) 2>/dev/null)
NL_STATIC_LIBS	:= $(shell $(PKG_CONFIG) --static --libs $(NL_PKG) 2>/dev/null)

# The RPC channels compile against the headers of libdbus-1, libzmq and
# libgrpc but do not link them: lib/chan/rpc.c loads them when a channel
# is first used, so libkipc needs none of them at run time.
DBUS_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags dbus-1 2>/dev/null)
$(BUILD)/lib/chan/dbus.o: CFLAGS_KIPC += $(DBUS_CFLAGS)

CPPFLAGS_KIPC	:= -D_GNU_SOURCE -Ilib/include -Ikmod/include/uapi -MMD -MP \
		   $(NL_CFLAGS)
CFLAGS_KIPC	:= -std=gnu11 $(WARN) $(CPPFLAGS_KIPC) $(CFLAGS)

LIB_SRCS	:= $(wildcard lib/*.c lib/chan/*.c)
LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/%.o)
TOOL_SRCS	:= $(wildcard tools/*.c tools/bench/*.c)
TOOL_OBJS	:= $(TOOL_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS	:= $(wildcard selftests/*_test.c)
TESTS		:= $(TEST_SRCS:selftests/%.c=$(BUILD)/selftests/%)
EXAMPLE_SRCS	:= $(wildcard lib/examples/*.c)
EXAMPLES	:= $(EXAMPLE_SRCS:lib/examples/%.c=$(BUILD)/bin/%)

LIBA		:= $(BUILD)/lib/libkipc.a
LIBSO		:= $(BUILD)/lib/libkipc.so.$(LIB_VERSION)

.PHONY: all module lib tools selftests examples check check-debug bench \
	vm-shell install uninstall modules_install dkms-install check-package \
	deps style clean nl-check

all: module lib tools selftests examples

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build tree; run 'make deps' or set KDIR" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@cp -pr Kbuild kmod $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(abspath $(MODDIR)) W=1 modules
	@echo "module: $(MODDIR)/kipc.ko"

lib: $(LIBA) $(LIBSO)

nl-check:
	@$(PKG_CONFIG) --exists $(NL_PKG) || \
		{ echo "$(NL_PKG) not found (pkg-config); run 'make deps'" >&2; exit 1; }

tools: $(BUILD)/bin/kipc

selftests: $(TESTS)

examples: $(EXAMPLES)

$(BUILD)/%.o: %.c | nl-check
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KIPC) -fPIC -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBSO): $(LIB_OBJS) lib/libkipc.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script,lib/libkipc.map \
		-Wl,-z,defs -o $@ $(LIB_OBJS) $(NL_LIBS)
	ln -sf $(notdir $@) $(BUILD)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(BUILD)/lib/libkipc.so

$(BUILD)/bin/kipc: $(TOOL_OBJS) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(TOOL_OBJS) $(LIBA) $(NL_LIBS) -lm

# The example programs, built the way a user of the library would build
# them: against its header and the static library.
$(EXAMPLES): $(BUILD)/bin/%: lib/examples/%.c $(LIBA) | nl-check
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KIPC) -o $@ $< $(LIBA) $(NL_LIBS)

$(KSFT_DIR)/kselftest_harness.h:
	@test -r $(KSRC_TAR) || \
		{ echo "$(KSRC_TAR) missing; run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(KSRC_TAR) -C $(KSFT_DIR) --strip-components=4 \
		--wildcards '*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h'
	@touch $@

# Selftests are static so they run in the initramfs as they are. The harness
# is included as a system header: its macros trip -Wextra (unused params).
$(BUILD)/selftests/%: selftests/%.c $(LIBA) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KIPC) -isystem $(KSFT_DIR) -static -o $@ $< $(LIBA) \
		$(NL_STATIC_LIBS) -lpthread

# The tests that reach the channel table are dynamic: the RPC channels
# load their libraries (lib/chan/rpc.c), which a static program cannot;
# the initramfs carries what they link.
DYN_TESTS	:= $(BUILD)/selftests/chan_test $(BUILD)/selftests/bench_test
$(DYN_TESTS): $(BUILD)/selftests/%: selftests/%.c $(LIBA) \
		$(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KIPC) -isystem $(KSFT_DIR) -o $@ $< $(LIBA) $(NL_LIBS) \
		-lpthread

# The counter test drives the bench's own counting code.
COUNTERS_OBJ	:= $(BUILD)/tools/bench/counters.o
$(BUILD)/selftests/counters_test: selftests/counters_test.c $(COUNTERS_OBJ) \
		$(LIBA) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KIPC) -Itools/bench -isystem $(KSFT_DIR) -static -o $@ $< \
		$(COUNTERS_OBJ) $(LIBA) $(NL_STATIC_LIBS) -lpthread

# kipc bench on this host if it can load the module, else in a QEMU VM on
# Debian's 6.12; tools/vm/bench.sh says which, and why.
bench: deps
	@tools/vm/bench.sh $(BENCH_ARGS)

check: deps
	tools/vm/check.sh stock

check-debug: deps
	tools/vm/check.sh debug

vm-shell: deps
	tools/vm/check.sh shell

deps:
	@tools/deps.sh

style:
	@tools/style.sh

# The man pages: the tool's in tools/man, the library's (one per family of
# calls, with .so links for the other names) in lib/man.
MAN1		:= $(wildcard tools/man/*.1)
MAN3		:= $(wildcard lib/man/*.3)

# What install puts where (under DESTDIR); uninstall removes exactly this.
INSTALLED	= $(LIBDIR)/libkipc.a $(LIBDIR)/libkipc.so.$(LIB_VERSION) \
		  $(LIBDIR)/$(LIB_SONAME) $(LIBDIR)/libkipc.so \
		  $(LIBDIR)/pkgconfig/libkipc.pc $(PKGINCDIR)/kipc.h \
		  $(PKGINCDIR)/kipc_chan.h \
		  $(PKGINCDIR)/linux/kipc.h $(BINDIR)/kipc \
		  $(addprefix $(MANDIR)/man1/,$(notdir $(MAN1))) \
		  $(addprefix $(MANDIR)/man3/,$(notdir $(MAN3)))
# ldconfig only for the system's own directories, not a staging tree.
LDCONFIG	= if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

# libkipc.pc is written here, for the prefix being installed to.
install: lib tools
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PKGINCDIR)/linux \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/
	ln -sf libkipc.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libkipc.so
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(LIBDIR)|' \
	    -e 's|@includedir@|$(PKGINCDIR)|' -e 's|@version@|$(LIB_VERSION)|' \
	    lib/libkipc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libkipc.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/libkipc.pc
	install -m 644 lib/include/kipc.h lib/include/kipc_chan.h $(DESTDIR)$(PKGINCDIR)/
	install -m 644 kmod/include/uapi/linux/kipc.h $(DESTDIR)$(PKGINCDIR)/linux/
	install -m 755 $(BUILD)/bin/kipc $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	@$(LDCONFIG)

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(PKGINCDIR)/linux $(DESTDIR)$(PKGINCDIR) 2>/dev/null
	@$(LDCONFIG)

# The module for KDIR into /lib/modules/KVER/updates (or INSTALL_MOD_PATH),
# then depmod so that modprobe kipc, and an open of /dev/kipc, find it.
# KERNELRELEASE is KVER: Debian's 6.1 headers say 6.1.192 there. Their
# CONFIG_MODULE_SIG_ALL would sign with Debian's key, which headers do not
# ship; signing for Secure Boot is DKMS's job (its MOK key).
modules_install: module
	$(MAKE) -C $(KDIR) M=$(abspath $(MODDIR)) KERNELRELEASE=$(KVER) \
		CONFIG_MODULE_SIG_ALL= INSTALL_MOD_DIR=updates modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

# The module's sources as DKMS wants them: /usr/src/kipc-VERSION with
# dkms.conf, Kbuild and kmod/ (DKMS_SRC moves it, for tests).
DKMS_SRC	?= /usr/src
dkms-install:
	tools/dkms/stage.sh $(DESTDIR)$(DKMS_SRC)/kipc-$(KIPC_VERSION) $(KIPC_VERSION)
	$(if $(DESTDIR),,dkms add -m kipc -v $(KIPC_VERSION))

check-package: deps
	tools/dkms/check.sh

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(TESTS:=.d) $(EXAMPLES:=.d)
