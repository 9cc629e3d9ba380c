#!/usr/bin/env python3
"""Writes the golden vectors libwbxml 0.11.8 cannot encode (code page 25, Find, and the 16.x
Email2 tokens are newer than it): the bytes are assembled here from the token numbers of the
MS-ASWBXML 2.1.2.1.x tables typed in below, not by easemu's encoder. Run on purpose only."""

# (page, token) per MS-ASWBXML: page 0 AirSync, 2 Email, 16 GAL, 20 ItemOperations, 22 Email2, 25 Find.
TOKENS = {
    "AirSync:Class": (0, 0x10), "AirSync:ServerId": (0, 0x0D), "AirSync:CollectionId": (0, 0x12),
    "Email:DateReceived": (2, 0x0F), "Email:DisplayTo": (2, 0x11), "Email:Importance": (2, 0x12),
    "Email:Subject": (2, 0x14), "Email:Read": (2, 0x15), "Email:From": (2, 0x18),
    "GAL:DisplayName": (16, 0x05), "GAL:EmailAddress": (16, 0x0F), "GAL:Picture": (16, 0x10), "GAL:Status": (16, 0x11),
    "ItemOperations:Store": (20, 0x07),
    "Email2:IsDraft": (22, 0x15),
    "Find:Find": (25, 0x05), "Find:SearchId": (25, 0x06), "Find:ExecuteSearch": (25, 0x07),
    "Find:MailBoxSearchCriterion": (25, 0x08), "Find:Query": (25, 0x09), "Find:Status": (25, 0x0A),
    "Find:FreeText": (25, 0x0B), "Find:Options": (25, 0x0C), "Find:Range": (25, 0x0D), "Find:DeepTraversal": (25, 0x0E),
    "Find:Response": (25, 0x11), "Find:Result": (25, 0x12), "Find:Properties": (25, 0x13), "Find:Preview": (25, 0x14),
    "Find:HasAttachments": (25, 0x15), "Find:Total": (25, 0x16), "Find:DisplayCc": (25, 0x17),
    "Find:GalSearchCriterion": (25, 0x19), "Find:MaxPictures": (25, 0x20), "Find:MaxSize": (25, 0x21),
    "Find:Picture": (25, 0x22),
}


def assemble(tree):
    """tree: (name, text or list of children or None). WBXML 1.3, public id 1, UTF-8, no string table."""
    out = bytearray([0x03, 0x01, 0x6A, 0x00])
    page = [0]

    def emit(node):
        name, content = node
        p, token = TOKENS[name]
        if p != page[0]:
            out.extend([0x00, p])  # SWITCH_PAGE
            page[0] = p
        if content is None:
            out.append(token)
            return
        out.append(token | 0x40)
        if isinstance(content, str):
            out.append(0x03)  # STR_I
            out.extend(content.encode("utf-8"))
            out.append(0x00)
        else:
            for child in content:
                emit(child)
        out.append(0x01)  # END

    emit(tree)
    return bytes(out)


FIND_MAILBOX_REQUEST = ("Find:Find", [
    ("Find:SearchId", "1b0e4b8a-6c5f-4d2e-9a3b-7c8d9e0f1a2b"),
    ("Find:ExecuteSearch", [("Find:MailBoxSearchCriterion", [
        ("Find:Query", [("AirSync:Class", "Email"), ("AirSync:CollectionId", "1"), ("Find:FreeText", "subject:quarterly")]),
        ("Find:Options", [("Find:Range", "0-9"), ("Find:DeepTraversal", None)]),
    ])]),
])

FIND_MAILBOX_RESPONSE = ("Find:Find", [
    ("Find:Status", "1"),
    ("Find:Response", [
        ("ItemOperations:Store", "Mailbox"),
        ("Find:Status", "1"),
        ("Find:Result", [
            ("AirSync:Class", "Email"), ("AirSync:ServerId", "1:7"), ("AirSync:CollectionId", "1"),
            ("Find:Properties", [
                ("Email:Subject", "Quarterly report"), ("Email:DateReceived", "2026-12-07T09:30:00.000Z"),
                ("Email:DisplayTo", "Alice Lab"), ("Find:DisplayCc", "Bob Lab"), ("Email:Importance", "1"),
                ("Email:Read", "0"), ("Email2:IsDraft", "0"), ("Find:Preview", "The numbers are in."),
                ("Find:HasAttachments", "1"), ("Email:From", "Carol <carol@example.com>"),
            ]),
        ]),
        ("Find:Range", "0-0"),
        ("Find:Total", "1"),
    ]),
])

FIND_GAL_REQUEST = ("Find:Find", [
    ("Find:SearchId", "5d3c2b1a-0f9e-4d8c-b7a6-958473625140"),
    ("Find:ExecuteSearch", [("Find:GalSearchCriterion", [
        ("Find:Query", [("Find:FreeText", "bob")]),
        ("Find:Options", [("Find:Range", "0-4"),
                          ("Find:Picture", [("Find:MaxSize", "102400"), ("Find:MaxPictures", "1")])]),
    ])]),
])

FIND_GAL_RESPONSE = ("Find:Find", [
    ("Find:Status", "1"),
    ("Find:Response", [
        ("ItemOperations:Store", "GAL"),
        ("Find:Status", "1"),
        ("Find:Result", [("Find:Properties", [
            ("GAL:DisplayName", "Bob Lab"), ("GAL:EmailAddress", "bob@lab.test"),
            ("GAL:Picture", [("GAL:Status", "173")]),
        ])]),
        ("Find:Range", "0-0"),
        ("Find:Total", "1"),
    ]),
])

if __name__ == "__main__":
    for name, tree in [("mscmd-find-mailbox-request", FIND_MAILBOX_REQUEST), ("mscmd-find-mailbox-response", FIND_MAILBOX_RESPONSE),
                       ("mscmd-find-gal-request", FIND_GAL_REQUEST), ("mscmd-find-gal-response", FIND_GAL_RESPONSE)]:
        data = assemble(tree)
        with open(name + ".wbxml", "wb") as f:
            f.write(data)
        print(f"{name}.wbxml: {len(data)} bytes")
