package dev.mmalign.trainer; final class Placeholder {}
