"""The bundled tables; installed as the package returnbot_data so that `pip install .` ships them."""
