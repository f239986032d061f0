"""Fingerprint reader: the ZhianTec ZFM / R30x serial packet protocol (codec, device, simulator).

Templates stay on the sensor; the product keeps only the mapping of template slot → agent.
"""
