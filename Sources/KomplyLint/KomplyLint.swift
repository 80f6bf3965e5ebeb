import KomplyCore
