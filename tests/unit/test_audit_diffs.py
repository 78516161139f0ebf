"""Diff entries → text and resources: templates, apt, file state dicts."""

from __future__ import annotations

from opsbook.audit.diffs import diff_text, headers, packages

TEMPLATE = {
    "before_header": "/etc/ssh/sshd_config",
    "before": "Port 22\nX11Forwarding yes\n",
    "after_header": "/root/.ansible/tmp/ansible-local-1x/tmpab/sshd_config.j2",
    "after": "Port 22\n",
}
APT = {
    "prepared": "The following NEW packages will be installed:\n  lsof vim-tiny\n"
    "0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded."
}


def test_template_diff_names_the_managed_file_not_the_temporary_source() -> None:
    text = diff_text([TEMPLATE])
    assert text.splitlines()[:2] == ["--- /etc/ssh/sshd_config", "+++ /etc/ssh/sshd_config"]
    assert "-X11Forwarding yes" in text
    assert headers([TEMPLATE]) == ["/etc/ssh/sshd_config"]


def test_apt_prepared_text_and_package_names() -> None:
    assert "lsof" in diff_text([APT])
    assert packages([APT]) == ["lsof", "vim-tiny"]
    removed = {"prepared": "The following packages will be REMOVED:\n  nano\n0 upgraded"}
    assert packages([removed]) == ["nano"]


def test_state_dicts_become_key_value_lines() -> None:
    entry = {"before": {"path": "/x", "state": "absent"}, "after": {"path": "/x", "state": "directory"}}
    text = diff_text([entry])
    assert "-state: absent" in text and "+state: directory" in text
    assert diff_text([{"before": "same\n", "after": "same\n"}]) == ""
